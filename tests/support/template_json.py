"""Print template.yaml as JSON, with CloudFormation's short tags (!Sub, !GetAtt) decoded the
way cfn-lint decodes them, so the Rust tests can inspect the template without a YAML parser
that knows CloudFormation."""

import json
import sys

from cfnlint.decode import decode

template, matches = decode(sys.argv[1])
if matches:
    for m in matches:
        print(m, file=sys.stderr)
    sys.exit(1)
print(json.dumps(template, default=str))
