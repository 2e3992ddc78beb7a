t_salt:
  archive.extracted:
    - name: __SCRATCH__/remote
    - source: salt://archives/app-1.0.tar.gz
t_local_new:
  archive.extracted:
    - name: __SCRATCH__/new
    - source: __SCRATCH__/src/data.tar.xz
t_local_conv:
  archive.extracted:
    - name: __SCRATCH__/conv
    - source: file://__SCRATCH__/src/tool.zip
t_conv_owner:
  archive.extracted:
    - name: __SCRATCH__/conv
    - source: __SCRATCH__/src/tool.zip
    - user: nobody
t_if_missing:
  archive.extracted:
    - name: __SCRATCH__/new
    - source: __SCRATCH__/src/data.tar.xz
    - if_missing: __SCRATCH__/conv/tool
t_bad_hash_local:
  archive.extracted:
    - name: __SCRATCH__/new
    - source: __SCRATCH__/src/data.tar.xz
    - source_hash: 52e01f73a71786e1a93af9cf71f21069a6c24b0627030ac3f694117ac1fa2b3d
t_wrong_type_clean:
  archive.extracted:
    - name: __SCRATCH__/typed
    - source: __SCRATCH__/src/app-1.0.tar.gz
    - clean: True
t_overwrite_clean:
  archive.extracted:
    - name: __SCRATCH__/conv
    - source: __SCRATCH__/src/tool.zip
    - overwrite: True
    - clean: True
show:
  cmd.run:
    - name: cd __SCRATCH__ && find . -path ./src -prune -o -print | sort | while read p; do stat -c '%n %F %a %U %G' "$p"; done; ls {{ opts.cachedir }}/files/base
    - order: last
