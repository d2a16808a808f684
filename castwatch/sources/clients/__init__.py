"""Protocol clients: the bytes on the wire, kept apart from the adapters that build the model."""
