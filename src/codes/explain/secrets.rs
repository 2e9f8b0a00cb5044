//! The explanations of the secrets stage: Secrets Manager secrets, SSM parameters and their KMS keys.

use super::Explanation;
use super::links::*;

/// `SECRET_NOT_FOUND`.
pub(super) const SECRET_NOT_FOUND: Explanation = Explanation {
    title: "A referenced Secrets Manager secret does not exist",
    text: r#"What it means
A `secrets[].valueFrom` of a container definition names a Secrets Manager secret that does not exist
(DescribeSecret answers `ResourceNotFoundException`): the name or ARN is wrong, it points to another
Region or account, or the secret was deleted after its recovery window. A full secret ARN ends in
the secret's name, a hyphen and six random characters; a partial ARN without them is resolved by
name, which misbehaves when the name itself ends in a hyphen and six characters. If the tool could
not look (its own role was denied), this code is reported `UNKNOWN`, not as a failure.

Why the task cannot start
Before the containers start, the agent fetches every secret with the execution role; a missing one
stops the task. Typical stop reason: `ResourceInitializationError: unable to pull secrets or
registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call
has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:...`, naming
`ResourceNotFoundException` in newer agent wording.

How to confirm by hand
Ask Secrets Manager for the secret's metadata (never its value) in the Region of the reference; the
evidence gives the `secretId` and `region` the tool looked up:
    aws secretsmanager describe-secret --secret-id <secret-id> --region <region> --query '{arn:ARN,name:Name,deleted:DeletedDate}'
An error `ResourceNotFoundException` confirms the finding. Then look for secrets with a similar name
(the `name` filter is a case-sensitive prefix match; secrets scheduled for deletion are listed only
with `--include-planned-deletion`):
    aws secretsmanager list-secrets --region <region> --include-planned-deletion --filters Key=name,Values=<name-prefix> --query 'SecretList[].{arn:ARN,deleted:DeletedDate}'

How to fix
Find the secret's real ARN in the task's Region and use it in a new task definition revision (append
`:<json-key>::` to select one JSON key):
    aws secretsmanager list-secrets --region <region> --filters Key=name,Values=<name-prefix> --query 'SecretList[].ARN'
    aws secretsmanager describe-secret --secret-id <secret-arn> --region <region>
Or create the secret under the name the task expects. Values are never read by this tool; only the
secret's metadata is."#,
    console: "Secrets Manager console ({region|the task's Region}) > Secrets > find {secretId|the secret} (or Store a new secret) > copy its Secret ARN > Amazon ECS console > Task definitions > the task's family > Create new revision > container {containers|that references it} > Environment variables: set ValueFrom to that ARN > Create",
    docs: &[
        KC_UNABLE_TO_PULL_SECRETS,
        KC_SECRETS_MANAGER_ISSUES,
        EXECUTION_ROLE,
    ],
};

/// `SECRET_REFERENCE_MALFORMED`.
pub(super) const SECRET_REFERENCE_MALFORMED: Explanation = Explanation {
    title: "A secret reference is not a well-formed name or ARN",
    text: r#"What it means
A `secrets[].valueFrom` (or `repositoryCredentials.credentialsParameter`) is not a well-formed
reference. The accepted forms:
- Secrets Manager: the secret's ARN, optionally followed by a JSON key, a version stage and a
  version ID, as below. The three fields are optional, but their colons are required when a later
  field is given. Selecting a JSON key or a version needs Fargate platform version 1.4.0 or later.
    arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-name>:<json-key>:<version-stage>:<version-id>
- SSM Parameter Store: the parameter name, or its full ARN
  `arn:aws:ssm:<region>:<account-id>:parameter/<name>` (a hierarchical name such as `/app/db`
  becomes `parameter/app/db`, with one slash).
Frequent errors: missing colons after a JSON key, a version ID that is not a full version ID, a
truncated ARN.

Why the task cannot start
The agent cannot fetch what the reference does not name, and the start fails. Example from the AWS
Knowledge Center for a malformed version ID: `failed to fetch secret <arn> from secrets manager:
InvalidParameter: 1 validation error(s) found. - minimum field size of 32,
GetSecretValueInput.VersionId.`

How to confirm by hand
Read the references as the task definition holds them (the evidence gives the `valueFrom` and the
`problem` the tool found) and count the colons after `secret:<secret-name>`:
    aws ecs describe-task-definition --task-definition <family>:<revision> --query 'taskDefinition.containerDefinitions[].{name:name,secrets:secrets[].valueFrom,registryAuth:repositoryCredentials.credentialsParameter}'
Compare with the secret's real ARN and, for a version field, with its real version IDs and stages
(metadata only, no value):
    aws secretsmanager describe-secret --secret-id <secret-name> --region <region> --query ARN --output text
    aws secretsmanager list-secret-version-ids --secret-id <secret-arn> --region <region> --query 'Versions[].{id:VersionId,stages:VersionStages}'
When the evidence names a `platformVersion`, the task ran on a Fargate platform version older than
1.4.0, which cannot select a JSON key or a version; check it with:
    aws ecs describe-tasks --cluster <cluster> --tasks <task-id> --query 'tasks[].{platform:platformVersion,launchType:launchType}'

How to fix
Rewrite the reference in one of these forms and register a new task definition revision:
    arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-name>-<6-characters>
    arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-name>-<6-characters>:<json-key>::
    arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-name>-<6-characters>::<version-stage>:
    arn:aws:ssm:<region>:<account-id>:parameter/<parameter-name>
Copy the exact ARN from the service rather than typing it:
    aws secretsmanager describe-secret --secret-id <secret-name> --region <region> --query ARN --output text"#,
    console: "Amazon ECS console > Task definitions > the task's family > Create new revision > container {containers|that references the secret} > Environment variables: replace the ValueFrom {valueFrom|of the secret} with the Secret ARN copied from Secrets Manager console > Secrets > the secret > Create",
    docs: &[
        EXECUTION_ROLE,
        KC_UNABLE_TO_PULL_SECRETS,
        KC_SECRETS_MANAGER_ISSUES,
    ],
};

/// `SECRET_PENDING_DELETION`.
pub(super) const SECRET_PENDING_DELETION: Explanation = Explanation {
    title: "A referenced secret is scheduled for deletion",
    text: r#"What it means
A Secrets Manager secret the task references still exists, but it is scheduled for deletion:
DescribeSecret shows a `DeletedDate`. At the end of its recovery window it is deleted for good.

Why the task cannot start
Secrets Manager does not return the value of a secret that is marked for deletion, so the agent's
fetch fails and the task stops with an `unable to retrieve secret from asm` error.

How to confirm by hand
Read the secret's metadata (the evidence gives its `secretArn` and the `deletedDate` it saw):
    aws secretsmanager describe-secret --secret-id <secret-arn> --region <region> --query '{name:Name,deleted:DeletedDate}'
A `DeletedDate` in the answer means the secret is scheduled for deletion; an active secret has none
(`null`). `list-secrets` hides such secrets unless you add `--include-planned-deletion`.

How to fix
If the deletion was a mistake, restore the secret (this works only until the recovery window ends):
    aws secretsmanager describe-secret --secret-id <secret-arn> --region <region> --query DeletedDate
    aws secretsmanager restore-secret --secret-id <secret-arn> --region <region>
If it was meant, point the task definition at the secret that replaces it."#,
    console: "Secrets Manager console > Secrets (Preferences: Show secrets scheduled for deletion) > {secretArn|the secret} > Cancel deletion > Cancel deletion",
    docs: &[KC_UNABLE_TO_PULL_SECRETS, KC_SECRETS_MANAGER_ISSUES],
};

/// `SSM_PARAMETER_NOT_FOUND`.
pub(super) const SSM_PARAMETER_NOT_FOUND: Explanation = Explanation {
    title: "A referenced SSM parameter does not exist",
    text: r#"What it means
A `secrets[].valueFrom` names an SSM Parameter Store parameter that does not exist in the task's
Region and account (DescribeParameters finds no such name). Parameter names are case-sensitive, and
hierarchical names start with a slash (`/app/db/password`). A parameter in another Region referenced
by name is `SSM_PARAMETER_OTHER_REGION_NEEDS_ARN`.

Why the task cannot start
The agent asks SSM for all the task's parameters with `ssm:GetParameters`; SSM returns the unknown
name as invalid and the task stops: `ResourceInitializationError: unable to pull secrets or registry
auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has
been retried 1 time(s): invalid ssm parameters: <name>`.

How to confirm by hand
Look the name up in the Region the evidence gives (`parameterName`, `region`). DescribeParameters
returns metadata only, never a value:
    aws ssm describe-parameters --region <region> --parameter-filters Key=Name,Values=<parameter-name> --query 'Parameters[].{name:Name,type:Type,key:KeyId}'
An empty list `[]` confirms the finding. Look for near misses (a missing leading slash, another
letter case, another path) with a broader filter:
    aws ssm describe-parameters --region <region> --parameter-filters Key=Name,Option=Contains,Values=<name-part> --query 'Parameters[].Name'

How to fix
Look for the parameter, then correct the reference or create the parameter (from a file, so the
value stays out of your shell history):
    aws ssm describe-parameters --region <region> --parameter-filters Key=Name,Values=<name>
    aws ssm describe-parameters --region <region> --parameter-filters Key=Name,Option=BeginsWith,Values=<name-prefix>
    aws ssm put-parameter --region <region> --name <name> --type SecureString --value file://<value-file>"#,
    console: "Systems Manager console ({region|the task's Region}) > Parameter Store > Create parameter: Name {parameterName|the referenced name}, Type SecureString > Create parameter (or correct the name in Amazon ECS console > Task definitions > the task's family > Create new revision)",
    docs: &[EXECUTION_ROLE, KC_UNABLE_TO_PULL_SECRETS],
};

/// `SSM_PARAMETER_OTHER_REGION_NEEDS_ARN`.
pub(super) const SSM_PARAMETER_OTHER_REGION_NEEDS_ARN: Explanation = Explanation {
    title: "An SSM parameter in another Region is referenced by name instead of full ARN",
    text: r#"What it means
A `secrets[].valueFrom` names an SSM parameter by its name, and that parameter exists in another
Region, not in the task's. The ECS documentation: a parameter in the same Region can be referenced
by name or full ARN; a parameter in another Region must be referenced by its full ARN.

Why the task cannot start
A bare name is looked up in the task's own Region, where the parameter does not exist, so the fetch
fails: `unable to retrieve secrets from ssm: ... invalid ssm parameters: <name>`.

How to confirm by hand
The evidence gives the `parameterName`, the `taskRegion` and the `foundInRegions`. The name is
unknown in the task's Region (an empty list) and known in the other one, whose answer also shows
the ARN to use:
    aws ssm describe-parameters --region <task-region> --parameter-filters Key=Name,Values=<parameter-name> --query 'Parameters[].Name'
    aws ssm describe-parameters --region <parameter-region> --parameter-filters Key=Name,Values=<parameter-name> --query 'Parameters[].{name:Name,arn:ARN,type:Type}'

How to fix
Use the full ARN, with the parameter's Region, in a new task definition revision, and allow the
execution role `ssm:GetParameters` on that ARN:
    arn:aws:ssm:<parameter-region>:<account-id>:parameter/<name>
If the task reaches AWS services only through VPC endpoints, note that endpoints serve their own
Region; copying the parameter into the task's Region avoids the cross-Region call."#,
    console: "Amazon ECS console ({taskRegion|the task's Region}) > Task definitions > the task's family > Create new revision > container {containers|that references the parameter} > Environment variables: set the ValueFrom of {parameterName|the parameter} to its full ARN in {foundInRegions|the Region that holds it} > Create",
    docs: &[EXECUTION_ROLE, KC_UNABLE_TO_PULL_SECRETS],
};

/// `KMS_KEY_NOT_USABLE`.
pub(super) const KMS_KEY_NOT_USABLE: Explanation = Explanation {
    title: "The KMS key that encrypts a secret or parameter is not usable",
    text: r#"What it means
The KMS key that encrypts a referenced secret or SecureString parameter (from DescribeSecret or
DescribeParameters) is not usable: `kms:DescribeKey` shows it `Disabled`, `PendingDeletion`,
`PendingImport` or `Unavailable`, or the key no longer exists. The evidence has the key and its
state. (A key that is fine but that the execution role may not use is `IAM_ACTION_DENIED` for
`kms:Decrypt`.)

Why the task cannot start
The secret's value can only be returned decrypted, and KMS refuses to decrypt with a key in these
states, so the agent's fetch fails and the task stops with a secrets retrieval error. Secrets and
parameters encrypted with the AWS managed keys (`aws/secretsmanager`, `aws/ssm`) are not affected.

How to confirm by hand
Find the key from the secret's or the parameter's metadata (a secret without `KmsKeyId` uses
`aws/secretsmanager`), then ask KMS for its state; the evidence gives `keyId`, `keyArn` and
`keyState`:
    aws secretsmanager describe-secret --secret-id <secret-arn> --region <region> --query KmsKeyId
    aws ssm describe-parameters --region <region> --parameter-filters Key=Name,Values=<parameter-name> --query 'Parameters[].KeyId'
    aws kms describe-key --key-id <key-id> --region <region> --query 'KeyMetadata.{state:KeyState,enabled:Enabled,manager:KeyManager,deletion:DeletionDate}'
The finding holds when `state` is anything but `Enabled` (`enabled: false`; a `deletion` date with
`PendingDeletion`), or when DescribeKey answers `NotFoundException` for the key.

How to fix
Check the key, then re-enable it, or cancel its deletion (a key whose deletion is cancelled stays
disabled until you enable it):
    aws kms describe-key --key-id <key-arn> --query 'KeyMetadata.{state:KeyState,deletion:DeletionDate}'
    aws kms enable-key --key-id <key-arn>
    aws kms cancel-key-deletion --key-id <key-arn>
For `PendingImport`, import the key material again. If the key is gone, what it encrypted cannot be
decrypted any more: store the secret again under a usable key and reference it."#,
    console: "AWS KMS console > Customer managed keys > select {keyId|the key} > Key actions > Cancel key deletion (only if it is pending deletion) > Key actions > Enable",
    docs: &[EXECUTION_ROLE, KC_UNABLE_TO_PULL_SECRETS],
};
