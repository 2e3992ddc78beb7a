//! halite-grains: Grain collection for Linux nodes, parsed from /proc, /sys and os-release through a host seam.
