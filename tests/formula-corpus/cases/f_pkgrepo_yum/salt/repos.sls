{% set d = '__SCRATCH__/repos.d' %}
create:
  pkgrepo.managed:
    - name: myrepo
    - humanname: My Repo
    - gpgkey: https://example.com/key.asc
    - baseurl: https://example.com/repo/$releasever/$basearch/
    - gpgcheck: 1
    - basedir: {{ d }}
    - comments:
      - first comment
      - '#second'
again:
  pkgrepo.managed:
    - name: myrepo
    - humanname: My Repo
    - gpgkey: https://example.com/key.asc
    - baseurl: https://example.com/repo/$releasever/$basearch/
    - gpgcheck: True
    - basedir: {{ d }}
    - comments:
      - first comment
      - second
change:
  pkgrepo.managed:
    - name: myrepo
    - humanname: My Repo
    - mirrorlist: https://example.com/mirrors
    - gpgcheck: False
    - enabled: False
    - basedir: {{ d }}
beta_in_shared_file:
  pkgrepo.managed:
    - name: beta
    - humanname: Beta
    - mirrorlist: https://mirrors.example.com/beta
    - gpgcheck: 0
    - basedir: {{ d }}
alpha_unchanged:
  pkgrepo.managed:
    - name: alpha
    - humanname: Alpha
    - basedir: {{ d }}
disabled_with_file:
  pkgrepo.managed:
    - name: other
    - humanname: Other
    - metalink: https://example.com/metalink?repo=other
    - disabled: True
    - file: __SCRATCH__/ignored.repo
    - basedir: {{ d }}
no_humanname:
  pkgrepo.managed:
    - name: nohuman
    - baseurl: https://example.com/x/
    - basedir: {{ d }}
two_links:
  pkgrepo.managed:
    - name: twolinks
    - humanname: Two
    - baseurl: https://example.com/x/
    - mirrorlist: https://example.com/m
    - basedir: {{ d }}
repo_kwarg:
  pkgrepo.managed:
    - name: withrepo
    - repo: withrepo
    - basedir: {{ d }}
both_flags:
  pkgrepo.managed:
    - name: bothflags
    - enabled: True
    - disabled: False
    - basedir: {{ d }}
no_basedir_dir:
  pkgrepo.managed:
    - name: nodir
    - humanname: No dir
    - baseurl: https://example.com/x/
    - basedir: __SCRATCH__/missing.d
absent_missing:
  pkgrepo.absent:
    - name: nosuch
    - basedir: {{ d }}
show:
  cmd.run:
    - name: for f in {{ d }}/*.repo; do echo "== $f"; cat "$f"; done
