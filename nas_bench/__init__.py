"""nas_bench package."""
