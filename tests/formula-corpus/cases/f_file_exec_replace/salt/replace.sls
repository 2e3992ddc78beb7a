{%- set d = '__SCRATCH__' %}
{%- set r = [] %}
{%- set _ = r.append(('backref', salt['file.replace'](d ~ '/sshd.conf', '^(PermitRootLogin)\\s+yes$', '\\1 no'))) %}
{%- set _ = r.append(('backref_again', salt['file.replace'](d ~ '/sshd.conf', '^(PermitRootLogin)\\s+yes$', '\\1 no'))) %}
{%- set _ = r.append(('backref_text', salt['file.read'](d ~ '/sshd.conf'))) %}
{%- set _ = r.append(('backref_bak', salt['file.read'](d ~ '/sshd.conf.bak'))) %}
{%- set _ = r.append(('dry_run', salt['file.replace'](d ~ '/dry.conf', 'yes', 'no', dry_run=True))) %}
{%- set _ = r.append(('dry_run_text', salt['file.read'](d ~ '/dry.conf'))) %}
{%- set _ = r.append(('dry_run_bak', salt['file.file_exists'](d ~ '/dry.conf.bak'))) %}
{%- set _ = r.append(('quiet', salt['file.replace'](d ~ '/quiet.conf', 'yes', 'no', show_changes=False, backup=False))) %}
{%- set _ = r.append(('quiet_again', salt['file.replace'](d ~ '/quiet.conf', 'yes', 'no', show_changes=False))) %}
{%- set _ = r.append(('quiet_bak', salt['file.file_exists'](d ~ '/quiet.conf.bak'))) %}
{%- set _ = r.append(('count', salt['file.replace'](d ~ '/count.conf', '^a=\\d', 'a=0', count=2, backup='.orig'))) %}
{%- set _ = r.append(('count_bak', salt['file.file_exists'](d ~ '/count.conf.orig'))) %}
{%- set _ = r.append(('append', salt['file.replace'](d ~ '/append.conf', '^three$', 'three', append_if_not_found=True))) %}
{%- set _ = r.append(('append_again', salt['file.replace'](d ~ '/append.conf', '^three$', 'three', append_if_not_found=True))) %}
{%- set _ = r.append(('append_text', salt['file.read'](d ~ '/append.conf'))) %}
{%- set _ = r.append(('prepend', salt['file.replace'](d ~ '/prepend.conf', '^# managed.*', '# managed', prepend_if_not_found=True, not_found_content='# managed by salt'))) %}
{%- set _ = r.append(('prepend_again', salt['file.replace'](d ~ '/prepend.conf', '^# nomatch', '# managed', prepend_if_not_found=True, not_found_content='# managed by salt'))) %}
{%- set _ = r.append(('prepend_text', salt['file.read'](d ~ '/prepend.conf'))) %}
{%- set _ = r.append(('flags', salt['file.replace'](d ~ '/flags.conf', '^name=.*$', 'Name=y', flags=['IGNORECASE', 'MULTILINE'], backup=False))) %}
{%- set _ = r.append(('flags_int', salt['file.replace'](d ~ '/flags.conf', 'NAME=Y', 'Name=z', flags=2, backup=False))) %}
{%- set _ = r.append(('flags_text', salt['file.read'](d ~ '/flags.conf'))) %}
{%- set _ = r.append(('same_repl', salt['file.replace'](d ~ '/nochange.conf', 'k=v', 'k=v'))) %}
{%- set _ = r.append(('same_repl_quiet', salt['file.replace'](d ~ '/nochange.conf', 'k=v', 'k=v', show_changes=False))) %}
{%- set _ = r.append(('no_match', salt['file.replace'](d ~ '/nochange.conf', 'zzz', 'y'))) %}
{%- set _ = r.append(('nochange_bak', salt['file.file_exists'](d ~ '/nochange.conf.bak'))) %}
{%- set _ = r.append(('missing_ignored', salt['file.replace'](d ~ '/nope', 'a', 'b', ignore_if_missing=True))) %}
{%- set _ = r.append(('search_only', salt['file.replace'](d ~ '/nochange.conf', '^k=', '', search_only=True))) %}
{%- for key, value in r %}
{{ key }}:
  test.show_notification:
    - text: {{ value | json | yaml_dquote }}
{%- endfor %}
