# Which node roles each minion runs. Roles come from grains (set at provisioning).
base:
  '*':
    - common
  'G@roles:k8s-node':
    - match: compound
    - roles.k8s-node
    - network
  'G@ostree_booted:True':
    - match: compound
    - os
  'G@roles:container-host':
    - match: compound
    - storage
