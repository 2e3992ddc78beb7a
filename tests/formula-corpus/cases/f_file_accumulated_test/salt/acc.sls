ports:
  file.accumulated:
    - filename: __SCRATCH__/app.conf
    - text: port=80
    - require_in:
      - file: app_conf
more_ports:
  file.accumulated:
    - name: ports
    - filename: __SCRATCH__/app.conf
    - text:
      - port=80
      - port=443
    - require_in:
      - file: app_conf
users:
  file.accumulated:
    - filename: __SCRATCH__/app.conf
    - text: admin
    - watch_in:
      - file: app_conf
app_conf:
  file.managed:
    - name: __SCRATCH__/app.conf
    - source: salt://files/app.conf.j2
    - template: jinja
hosts_a:
  file.accumulated:
    - filename: __SCRATCH__/block.conf
    - text: 10.0.0.1 a
    - require_in:
      - file: hosts_block
hosts_b:
  file.accumulated:
    - filename: __SCRATCH__/block.conf
    - text: 10.0.0.2 b
    - require_in:
      - file: other_block
hosts_block:
  file.blockreplace:
    - name: __SCRATCH__/block.conf
    - marker_start: '# BEGIN hosts'
    - marker_end: '# END hosts'
    - content: '127.0.0.1 localhost'
other_block:
  file.blockreplace:
    - name: __SCRATCH__/block.conf
    - marker_start: '# BEGIN hosts'
    - marker_end: '# END hosts'
    - content: ''
orphan:
  file.accumulated:
    - filename: __SCRATCH__/app.conf
    - text: lost
