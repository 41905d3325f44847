"""The CDK app: stacks and constructs built by looping over the domain package's declarative tables."""
