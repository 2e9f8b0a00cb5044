//! The documentation pages the explanations link to: AWS documentation and re:Post Knowledge
//! Center articles that the research read, never invented ones.

pub(super) const RUNBOOK: &str = "https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-troubleshootecstaskfailedtostart.html";
pub(super) const CONTAINER_INSTANCE_RUNBOOK: &str = "https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-troubleshoot-ecs-container-instance.html";
pub(super) const ECS_EVENTS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html";
pub(super) const STOPPED_TASK_ERRORS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/userguide/stopped-task-error-codes.html";
pub(super) const API_FAILURES: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html";
pub(super) const CANNOT_PULL: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html";
pub(super) const RESOURCE_INIT: &str = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-initialization-error.html";
pub(super) const CANNOT_START: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cannot-start-container.html";
pub(super) const FAILED_TO_START: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/failed-to-start-error.html";
pub(super) const EXECUTION_ROLE: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html";
pub(super) const AWSLOGS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html";
pub(super) const ECS_ENDPOINTS: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html";
pub(super) const ECR_ENDPOINTS: &str =
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html";
pub(super) const ECR_MANAGED_POLICIES: &str =
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html";
pub(super) const FARGATE: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html";
pub(super) const FARGATE_PLATFORM: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-linux-fargate.html";
pub(super) const AWSVPC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html";
pub(super) const VERIFY_CONNECTIVITY: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/verify-connectivity.html";
pub(super) const VPC_DNS: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html";
pub(super) const SG_RULES: &str =
    "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html";
pub(super) const NACLS: &str =
    "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html";
pub(super) const EFS_IAM: &str =
    "https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html";
pub(super) const MANAGED_PREFIX_LISTS: &str =
    "https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html";
pub(super) const GATEWAY_ENDPOINTS: &str =
    "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html";
pub(super) const GUARDDUTY_ECS: &str =
    "https://docs.aws.amazon.com/guardduty/latest/ug/gdu-assess-coverage-ecs.html";
pub(super) const IAM_POLICY_TESTING: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html";
pub(super) const IAM_EVALUATION_RESULT: &str =
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html";
pub(super) const REACHABILITY: &str =
    "https://docs.aws.amazon.com/vpc/latest/reachability/how-reachability-analyzer-works.html";
pub(super) const KC_UNABLE_TO_PULL_SECRETS: &str =
    "https://repost.aws/knowledge-center/ecs-unable-to-pull-secrets";
pub(super) const KC_SECRETS_MANAGER_ISSUES: &str =
    "https://repost.aws/knowledge-center/ecs-secrets-manager-issues";
pub(super) const KC_RATE_LIMIT: &str =
    "https://repost.aws/knowledge-center/ecs-pull-container-error-rate-limit";
pub(super) const KC_TASK_STOPPED: &str = "https://repost.aws/knowledge-center/ecs-task-stopped";
pub(super) const KC_FARGATE_PULL: &str =
    "https://repost.aws/knowledge-center/ecs-fargate-pull-container-error";
pub(super) const KC_DOCKER_TIMEOUT: &str =
    "https://repost.aws/knowledge-center/ecs-fargate-docker-timeout-error";
pub(super) const KC_PENDING: &str =
    "https://repost.aws/knowledge-center/ecs-fargate-tasks-pending-state";
