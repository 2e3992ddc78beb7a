{% set d = '__SCRATCH__/repos.d' %}
new_repo:
  pkgrepo.managed:
    - name: myrepo
    - humanname: My Repo
    - baseurl: https://example.com/repo/
    - basedir: {{ d }}
beta_change:
  pkgrepo.managed:
    - name: beta
    - humanname: Beta
    - metalink: https://mirrors.example.com/beta-metalink
    - gpgcheck: 1
    - comments: [new note]
    - basedir: {{ d }}
alpha_same:
  pkgrepo.managed:
    - name: alpha
    - humanname: Alpha
    - gpgcheck: '1'
    - basedir: {{ d }}
alpha_disable:
  pkgrepo.managed:
    - name: alpha
    - disabled: yes
    - basedir: {{ d }}
alpha_absent:
  pkgrepo.absent:
    - name: alpha
    - basedir: {{ d }}
gone_absent:
  pkgrepo.absent:
    - name: gone
    - basedir: {{ d }}
keyid_absent:
  pkgrepo.absent:
    - name: alpha
    - keyid: ABCDEF
    - basedir: {{ d }}
show:
  cmd.run:
    - name: cat {{ d }}/*.repo; ls {{ d }}
