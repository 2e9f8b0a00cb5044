//! Counting the AWS API calls a test makes, from moto's request recorder.
