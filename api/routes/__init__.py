"""One router per group of endpoints, each small; api.app mounts them."""
