replace:
  host.only:
    - name: 10.0.0.5
    - hostnames:
      - new.example
      - ' new '
same:
  host.only:
    - name: 10.0.0.6
    - hostnames: [same.example, same]
add:
  host.only:
    - name: 10.0.0.7
    - hostnames: added.example
show:
  cmd.run:
    - name: cat __SCRATCH__/hosts
