changed:
  ini.options_present:
    - name: __SCRATCH__/app.ini
    - sections:
        mode: new
        added_top: 7
        main:
          name: demo
          port: 8080
          extra: true
        fresh:
          a: b
converged:
  ini.options_present:
    - name: __SCRATCH__/conv.ini
    - sections:
        main:
          name: demo
strict:
  ini.options_present:
    - name: __SCRATCH__/strict.ini
    - strict: true
    - sections:
        keep: 1
        s1:
          a: 1
          n: new
absent:
  ini.options_absent:
    - name: __SCRATCH__/absent.ini
    - sections:
        main:
          - name
          - nothere
        top: ''
        nosect:
          - x
sect_absent:
  ini.sections_absent:
    - name: __SCRATCH__/absent.ini
    - sections:
        - drop
        - missing
    - require:
      - ini: absent
newfile:
  ini.options_present:
    - name: __SCRATCH__/new.ini
    - sections:
        s:
          k: v
show:
  cmd.run:
    - name: for f in app conv strict absent new; do echo "== $f"; cat __SCRATCH__/$f.ini; done
    - order: last
