first:
  test.succeed_without_changes: []
bad:
  nosuchmod.present:
    - name: x
