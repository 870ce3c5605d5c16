"""ilp_oracle package."""
