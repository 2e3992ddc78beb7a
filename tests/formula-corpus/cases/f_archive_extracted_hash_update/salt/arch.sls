record:
  archive.extracted:
    - name: __SCRATCH__/conv
    - source: __SCRATCH__/src/tool.zip
    - source_hash: c51262f2c509d477b636e8fd3d5aab1cf77bee964bc6980ed0276e955250e3da
    - source_hash_update: True
replace:
  cmd.run:
    - name: cp __SCRATCH__/src/tool2.zip __SCRATCH__/src/tool.zip
updated:
  archive.extracted:
    - name: __SCRATCH__/conv
    - source: __SCRATCH__/src/tool.zip
    - source_hash: sha256=96ee5ccb8417026c9e258abb14bf16ee3fe7f7f89c6c7874308a04e5a4752f3a
    - source_hash_update: True
skipped:
  archive.extracted:
    - name: __SCRATCH__/conv
    - source: __SCRATCH__/src/tool.zip
    - source_hash: sha256=96ee5ccb8417026c9e258abb14bf16ee3fe7f7f89c6c7874308a04e5a4752f3a
    - skip_files_list_verify: True
no_hash:
  archive.extracted:
    - name: __SCRATCH__/conv
    - source: __SCRATCH__/src/tool.zip
    - source_hash_update: True
show:
  cmd.run:
    - name: cat __SCRATCH__/conv/tool/VERSION; cd {{ opts.cachedir }}/archive_hash && find . -type f | sed 's|__SCRATCH__|SCR|' && find . -type f -exec cat {} +
    - order: last
