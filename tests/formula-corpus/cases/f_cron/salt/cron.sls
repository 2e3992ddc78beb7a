{% set show = 'crontab -l -u root' %}
seed:
  cmd.run:
    - name: crontab -u root __SCRATCH__/seed.tab
    - unless: crontab -l -u root
mailto:
  cron.env_present:
    - name: MAILTO
    - value: ops@example.com
mailto_again:
  cron.env_present:
    - name: MAILTO
    - value: ops@example.com
mailto_update:
  cron.env_present:
    - name: MAILTO
    - value: root@example.com
shell_empty:
  cron.env_present:
    - name: HALITE_EMPTY
nightly:
  cron.present:
    - name: /usr/bin/true halite-a
    - minute: 5
    - hour: 2
    - comment: nightly thing
weekly:
  cron.present:
    - name: '  /usr/bin/true halite-b  '
    - identifier: halite-b
    - dayweek: 1
    - commented: True
boot:
  cron.present:
    - name: /usr/bin/true halite-c
    - special: '@reboot'
    - comment: after boot
show_1:
  cmd.run:
    - name: {{ show }}
nightly_again:
  cron.present:
    - name: /usr/bin/true halite-a
    - minute: 5
    - hour: 2
    - comment: nightly thing
nightly_moved:
  cron.present:
    - name: /usr/bin/true halite-a
    - minute: 10
    - hour: 3
weekly_renamed:
  cron.present:
    - name: /usr/bin/true halite-b2
    - identifier: halite-b
    - dayweek: 1
boot_hourly:
  cron.present:
    - name: /usr/bin/true halite-c
    - special: '@hourly'
show_2:
  cmd.run:
    - name: {{ show }}
rm_nightly:
  cron.absent:
    - name: /usr/bin/true halite-a
rm_nightly_again:
  cron.absent:
    - name: /usr/bin/true halite-a
rm_weekly:
  cron.absent:
    - name: whatever
    - identifier: halite-b
rm_boot:
  cron.absent:
    - name: /usr/bin/true halite-c
    - special: '@hourly'
rm_mailto:
  cron.env_absent:
    - name: MAILTO
rm_mailto_again:
  cron.env_absent:
    - name: MAILTO
rm_empty:
  cron.env_absent:
    - name: HALITE_EMPTY
show_3:
  cmd.run:
    - name: {{ show }}
restore:
  cmd.run:
    - name: crontab -r -u root
    - onlyif: crontab -l -u root | cmp -s - __SCRATCH__/final.tab
