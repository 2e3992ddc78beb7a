first:
  archive.extracted:
    - name: __SCRATCH__/opt
    - source: salt://archives/app-1.0.tar.gz
again:
  archive.extracted:
    - name: __SCRATCH__/opt/
    - source: salt://archives/app-1.0.tar.gz
    - source_hash: sha256=ca2f634414f325f0ee51067fa3078951f2a6c0ff9bd98519f0192978dc8ee0dc
zip:
  archive.extracted:
    - name: __SCRATCH__/zip
    - source: salt://archives/tool.zip
local_xz:
  archive.extracted:
    - name: __SCRATCH__/xz
    - source: __SCRATCH__/src/data.tar.xz
    - source_hash: 52e01f73a71786e1a93af9cf71f21069a6c24b0627030ac3f694117ac1fa2b3c
file_bz2_options:
  archive.extracted:
    - name: __SCRATCH__/bz2
    - source: file://__SCRATCH__/src/data.tar.bz2
    - options: --strip-components=1
    - enforce_toplevel: False
trimmed:
  archive.extracted:
    - name: __SCRATCH__/trim
    - source: salt://archives/app-1.0.tar.gz
    - trim_output: 2
bomb:
  archive.extracted:
    - name: __SCRATCH__/multi
    - source: salt://archives/multi.tar
bomb_allowed:
  archive.extracted:
    - name: __SCRATCH__/multi
    - source: salt://archives/multi.tar
    - enforce_toplevel: False
missing_guard:
  archive.extracted:
    - name: __SCRATCH__/guarded
    - source: salt://archives/app-1.0.tar.gz
    - if_missing: __SCRATCH__/opt/app-1.0
bad_hash_salt:
  archive.extracted:
    - name: __SCRATCH__/bad1
    - source: salt://archives/tool.zip
    - source_hash: sha256=0000000000000000000000000000000000000000000000000000000000000000
bad_hash_local:
  archive.extracted:
    - name: __SCRATCH__/bad2
    - source: __SCRATCH__/src/data.tar.xz
    - source_hash: md5=00000000000000000000000000000000
rewrite:
  archive.extracted:
    - name: __SCRATCH__/opt
    - source: salt://archives/app-1.0.tar.gz
    - overwrite: True
    - clean: True
owned:
  archive.extracted:
    - name: __SCRATCH__/own
    - source: salt://archives/tool.zip
    - user: nobody
    - group: nogroup
show:
  cmd.run:
    - name: cd __SCRATCH__ && find opt zip xz bz2 trim multi own | sort | while read p; do stat -c '%n %F %a %U %G' "$p"; done; cat opt/app-1.0/README; ls -R {{ opts.cachedir }}/files/base/archives; test -e {{ opts.cachedir }}/archive_hash || echo no archive_hash
    - order: last
