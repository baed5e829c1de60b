"""Cross-cutting machinery of the partner API: who is calling, what they may see, and how errors look."""
