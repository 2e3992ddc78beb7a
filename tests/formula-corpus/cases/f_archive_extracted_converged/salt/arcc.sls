converged:
  archive.extracted:
    - name: __SCRATCH__/conv
    - source: __SCRATCH__/src/tool.zip
    - source_hash: sha256=c51262f2c509d477b636e8fd3d5aab1cf77bee964bc6980ed0276e955250e3da
wrong_type:
  archive.extracted:
    - name: __SCRATCH__/typed
    - source: __SCRATCH__/src/app-1.0.tar.gz
forced:
  archive.extracted:
    - name: __SCRATCH__/typed
    - source: __SCRATCH__/src/app-1.0.tar.gz
    - force: True
not_kept:
  archive.extracted:
    - name: __SCRATCH__/nk
    - source: salt://archives/app-1.0.tar.gz
    - keep_source: False
unlistable:
  archive.extracted:
    - name: __SCRATCH__/broken
    - source: salt://archives/broken.tar.gz
missing:
  archive.extracted:
    - name: __SCRATCH__/missing
    - source: salt://archives/nothere.tar.gz
source_list:
  archive.extracted:
    - name: __SCRATCH__/listed
    - source:
      - salt://archives/nothere.tar.gz
      - __SCRATCH__/src/data.tar.xz
bad_options:
  archive.extracted:
    - name: __SCRATCH__/badopt
    - source: __SCRATCH__/src/data.tar.xz
    - options: --no-such-option
listing:
  test.show_notification:
    - text: |
        {{ salt['archive.list']('salt://archives/app-1.0.tar.gz') | json }}
        {{ salt['archive.list']('__SCRATCH__/src/tool.zip', verbose=True) | json }}
        {{ salt['archive.list']('__SCRATCH__/src/app-1.0.tar.gz', strip_components=1) | json }}
        {{ salt['archive.is_encrypted']('__SCRATCH__/src/tool.zip') | json }}
show:
  cmd.run:
    - name: cd __SCRATCH__ && find . -path ./src -prune -o -print | sort | while read p; do stat -c '%n %F %a %U %G' "$p"; done; ls {{ opts.cachedir }}/files/base/archives
    - order: last
