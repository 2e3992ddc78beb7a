{% set d = "__SCRATCH__" %}
new:
  pkgrepo.managed:
    - name: deb [arch=amd64] http://example.com/debian bookworm main contrib
    - file: {{ d }}/example.list
    - comments: from the corpus
    - refresh: False
new_again:
  pkgrepo.managed:
    - name: deb [arch=amd64] http://example.com/debian bookworm main contrib
    - file: {{ d }}/example.list
    - comments: from the corpus
    - refresh: False
disabled_deb822:
  pkgrepo.managed:
    - name: deb http://example.com/d822 bookworm main non-free
    - file: {{ d }}/example.sources
    - disabled: True
    - refresh: False
host_converged:
  pkgrepo.managed:
    - name: deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
    - refresh: False
absent_missing:
  pkgrepo.absent:
    - name: deb http://example.com/none bookworm main
absent_arch_mismatch:
  pkgrepo.absent:
    - name: deb [arch=arm64] http://deb.debian.org/debian-security bookworm-security main
both_flags:
  pkgrepo.managed:
    - name: deb http://example.com/x bookworm main
    - enabled: True
    - disabled: False
repo_kwarg:
  pkgrepo.managed:
    - name: deb http://example.com/x bookworm main
    - repo: x
ppa_on_debian:
  pkgrepo.managed:
    - name: ppa-test
    - ppa: foo/bar
    - refresh: False
keyid_without_keyserver:
  pkgrepo.managed:
    - name: deb http://example.com/k bookworm main
    - file: {{ d }}/keyed.list
    - keyid: ABCDEF
    - refresh: False
show:
  cmd.run:
    - name: for f in {{ d }}/example.*; do echo "== $f"; cat "$f"; done
