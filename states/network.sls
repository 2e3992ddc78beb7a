# The node's host network (orb0, the node IP, pod veths, cbr0) from the
# rack's pillar `node_network` (formulas/node-network). Commit-confirmed:
# a change that loses the gateway or the master is rolled back.
include:
  - node-network
