full_line:
  ssh_auth.present:
    - name: 'from="10.0.0.0/8",no-agent-forwarding ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAg6C3W8Td5JFr8flsuZh20LY9q5+4UUV4M6cbPTBkn9 deploy@ci host'
    - user: root
    - config: __SCRATCH__/authorized_keys
converged:
  ssh_auth.present:
    - name: AAAAC3NzaC1lZDI1NTE5AAAAIHC/l6yiewHAyA8N5V4j3JcpC1D3eIhj3bTyFeYQB/zN
    - user: root
    - enc: ed25519
    - comment: ci
    - options:
      - command="/bin/true"
      - no-pty
    - config: __SCRATCH__/authorized_keys
updated:
  ssh_auth.present:
    - name: AAAAC3NzaC1lZDI1NTE5AAAAIEHSLlYGClNsej1ANxTDWMrhCjncPBBnFX87TzcAbU6D renamed key
    - user: root
    - enc: ssh-ed25519
    - config: __SCRATCH__/authorized_keys
removed:
  ssh_auth.absent:
    - name: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHC/l6yiewHAyA8N5V4j3JcpC1D3eIhj3bTyFeYQB/zN whatever
    - user: root
    - config: __SCRATCH__/authorized_keys
    - require:
      - ssh_auth: converged
not_there:
  ssh_auth.absent:
    - name: AAAAC3NzaC1lZDI1NTE5AAAAIFFqDwUnlihJAmEdae0hTl3FPeTWCwLRVCjA6rjZISZo
    - user: root
    - config: __SCRATCH__/authorized_keys
new_dir:
  ssh_auth.present:
    - name: AAAAC3NzaC1lZDI1NTE5AAAAIAg6C3W8Td5JFr8flsuZh20LY9q5+4UUV4M6cbPTBkn9
    - user: root
    - enc: ed25519
    - fingerprint_hash_type: md5
    - config: __SCRATCH__/home/.ssh/authorized_keys
user_token:
  ssh_auth.present:
    - name: AAAAC3NzaC1lZDI1NTE5AAAAIAg6C3W8Td5JFr8flsuZh20LY9q5+4UUV4M6cbPTBkn9
    - user: root
    - enc: ed25519
    - config: __SCRATCH__/%u_keys%%
from_source:
  ssh_auth.present:
    - name: team
    - user: root
    - source: salt://keys/team.pub
    - config: __SCRATCH__/team_keys
empty_source:
  ssh_auth.present:
    - name: nobody
    - user: root
    - source: salt://keys/empty.pub
    - config: __SCRATCH__/team_keys
missing_source:
  ssh_auth.present:
    - name: nobody
    - user: root
    - source: salt://keys/missing.pub
    - config: __SCRATCH__/team_keys
invalid:
  ssh_auth.present:
    - name: 'AAA'
    - user: root
    - config: __SCRATCH__/authorized_keys
show:
  cmd.run:
    - name: cd __SCRATCH__ && for f in authorized_keys home/.ssh/authorized_keys root_keys% team_keys; do echo "== $f"; stat -c '%a %U %G' $f; cat $f; done; stat -c '%a %U %G' home/.ssh
    - order: last
