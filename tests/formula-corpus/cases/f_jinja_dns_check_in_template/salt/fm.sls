first:
  file.managed:
    - name: __SCRATCH__/out1
    - contents: one
second:
  file.managed:
    - name: __SCRATCH__/out2
    - source: salt://t/x.j2
    - template: jinja
third:
  file.managed:
    - name: __SCRATCH__/out3
    - contents: three
