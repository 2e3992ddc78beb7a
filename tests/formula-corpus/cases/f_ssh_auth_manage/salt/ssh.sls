team:
  ssh_auth.manage:
    - user: root
    - config: __SCRATCH__/authorized_keys
    - ssh_keys:
      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAg6C3W8Td5JFr8flsuZh20LY9q5+4UUV4M6cbPTBkn9 alice
      - 'no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEHSLlYGClNsej1ANxTDWMrhCjncPBBnFX87TzcAbU6D carol renamed'
      - AAAAC3NzaC1lZDI1NTE5AAAAIFFqDwUnlihJAmEdae0hTl3FPeTWCwLRVCjA6rjZISZo dave
converged:
  ssh_auth.manage:
    - user: root
    - enc: ed25519
    - config: __SCRATCH__/converged_keys
    - ssh_keys:
      - AAAAC3NzaC1lZDI1NTE5AAAAIFFqDwUnlihJAmEdae0hTl3FPeTWCwLRVCjA6rjZISZo dave
      - AAAAC3NzaC1lZDI1NTE5AAAAIKrHEYY2zWfVa8N7gmGwzD6/e21/75RmMqmAnTn/17+F erin
with_options:
  ssh_auth.manage:
    - user: root
    - enc: ssh-ed25519
    - comment: ops
    - options:
      - no-agent-forwarding
    - config: __SCRATCH__/new_keys
    - ssh_keys:
      - AAAAC3NzaC1lZDI1NTE5AAAAIKrHEYY2zWfVa8N7gmGwzD6/e21/75RmMqmAnTn/17+F
invalid:
  ssh_auth.manage:
    - user: root
    - config: __SCRATCH__/converged_keys
    - ssh_keys:
      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFFqDwUnlihJAmEdae0hTl3FPeTWCwLRVCjA6rjZISZo dave
      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKrHEYY2zWfVa8N7gmGwzD6/e21/75RmMqmAnTn/17+F erin
      - AAA
show:
  cmd.run:
    - name: cd __SCRATCH__ && for f in authorized_keys converged_keys new_keys; do echo "== $f"; stat -c '%a %U %G' $f; cat $f; done
    - order: last
