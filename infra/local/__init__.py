"""The local stack: the same deployment emulated on one machine with moto (``make dev``)."""
