root_login:
  file.replace:
    - name: __SCRATCH__/sshd.conf
    - pattern: '^(PermitRootLogin)\s+yes$'
    - repl: '\1 no'
port_same:
  file.replace:
    - name: __SCRATCH__/sshd.conf
    - pattern: '^Port 22$'
    - repl: 'Port 22'
quiet:
  file.replace:
    - name: __SCRATCH__/quiet.conf
    - pattern: a
    - repl: b
    - show_changes: False
    - backup: False
append_nfc:
  file.replace:
    - name: __SCRATCH__/app.conf
    - pattern: '^y='
    - repl: 'y=2'
    - append_if_not_found: True
    - not_found_content: 'y=3'
missing_ignored:
  file.replace:
    - name: __SCRATCH__/nope.conf
    - pattern: a
    - repl: b
    - ignore_if_missing: True
missing:
  file.replace:
    - name: __SCRATCH__/nope.conf
    - pattern: a
    - repl: b
relative:
  file.replace:
    - name: relative.conf
    - pattern: a
    - repl: b
