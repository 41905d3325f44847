"""The policy condition language (parsed and checked at write time) and the deterministic evaluator."""
