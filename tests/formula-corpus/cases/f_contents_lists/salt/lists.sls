from-pillar:
  file.managed:
    - name: __SCRATCH__/p.txt
    - contents_pillar: motd:lines
from-grains:
  file.managed:
    - name: __SCRATCH__/g.txt
    - contents_grains: ntp_servers
from-list:
  file.managed:
    - name: __SCRATCH__/l.txt
    - contents:
      - first
      - second
show:
  cmd.run:
    - name: cat __SCRATCH__/p.txt __SCRATCH__/g.txt __SCRATCH__/l.txt
