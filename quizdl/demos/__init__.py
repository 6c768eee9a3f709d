"""Tiny PyTorch experiments. Importing this package does not import torch: see `registry.load_all`."""
