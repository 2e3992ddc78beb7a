replace:
  file.blockreplace:
    - name: __SCRATCH__/replace.conf
    - marker_start: "# BEGIN halite"
    - marker_end: "# END halite"
    - content: |
        new one
        new two
append:
  file.blockreplace:
    - name: __SCRATCH__/append.conf
    - content: added
    - append_if_not_found: True
    - backup: False
prepend:
  file.blockreplace:
    - name: __SCRATCH__/prepend.conf
    - content: "first\nsecond"
    - prepend_if_not_found: True
insert:
  file.blockreplace:
    - name: __SCRATCH__/insert.conf
    - content: y=2
    - insert_after_match: '^x='
same:
  file.blockreplace:
    - name: __SCRATCH__/same.conf
    - content: same
nomarkers:
  file.blockreplace:
    - name: __SCRATCH__/nomarkers.conf
    - content: x
unterminated:
  file.blockreplace:
    - name: __SCRATCH__/unterminated.conf
    - content: x
missing:
  file.blockreplace:
    - name: __SCRATCH__/missing.conf
    - content: x
show:
  cmd.run:
    - name: cat __SCRATCH__/replace.conf __SCRATCH__/append.conf __SCRATCH__/prepend.conf __SCRATCH__/insert.conf; ls __SCRATCH__
