{% set d = "__SCRATCH__" %}
new:
  pkgrepo.managed:
    - name: deb [arch=amd64] http://example.com/debian bookworm main contrib
    - file: {{ d }}/example.list
    - refresh: False
host_differs:
  pkgrepo.managed:
    - name: deb http://deb.debian.org/debian bookworm main
    - refresh: False
host_converged:
  pkgrepo.managed:
    - name: deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
absent_host:
  pkgrepo.absent:
    - name: deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security/ bookworm-security main
