"""Test support shared by the suites: builders for AWS resources defined in template.yaml."""
