{%- set d = '__SCRATCH__' %}
{%- set conf = d ~ '/httpd.conf' %}
{%- set r = [] %}
{%- set _ = r.append(('contains', salt['file.contains'](conf, 'KeepAlive On'))) %}
{%- set _ = r.append(('contains_stripped', salt['file.contains'](conf, '  ServerTokens  '))) %}
{%- set _ = r.append(('contains_missing_text', salt['file.contains'](conf, 'Listen 80'))) %}
{%- set _ = r.append(('contains_missing_file', salt['file.contains'](d ~ '/nope', 'x'))) %}
{%- set _ = r.append(('contains_regex', salt['file.contains_regex'](conf, '^listen \\d+$'))) %}
{%- set _ = r.append(('contains_regex_lchar', salt['file.contains_regex'](conf, '^server_name', lchar='# '))) %}
{%- set _ = r.append(('contains_regex_no_lchar', salt['file.contains_regex'](conf, '^server_name'))) %}
{%- set _ = r.append(('contains_glob', salt['file.contains_glob'](conf, '*ServerTokens*'))) %}
{%- set _ = r.append(('contains_glob_anchored', salt['file.contains_glob'](conf, 'ServerTokens*'))) %}
{%- set _ = r.append(('search', salt['file.search'](conf, '^KeepAlive\\s+On'))) %}
{%- set _ = r.append(('search_case', salt['file.search'](conf, '^keepalive', flags=['IGNORECASE', 'MULTILINE']))) %}
{%- set _ = r.append(('search_no_multiline', salt['file.search'](conf, '^KeepAlive', flags=0))) %}
{%- set _ = r.append(('search_multiline_kw', salt['file.search'](conf, '^KeepAlive', flags=0, multiline=True))) %}
{%- set _ = r.append(('search_missing_ignored', salt['file.search'](d ~ '/nope', 'x', ignore_if_missing=True))) %}
{%- set _ = r.append(('get_hash', salt['file.get_hash'](d ~ '/hello.txt'))) %}
{%- set _ = r.append(('get_hash_md5', salt['file.get_hash'](d ~ '/hello.txt', 'md5'))) %}
{%- set _ = r.append(('get_sum_sha1', salt['file.get_sum'](d ~ '/hello.txt', 'sha1'))) %}
{%- set _ = r.append(('get_sum_sha512', salt['file.get_sum'](d ~ '/hello.txt', form='sha512'))) %}
{%- set _ = r.append(('get_sum_missing', salt['file.get_sum'](d ~ '/nope'))) %}
{%- set _ = r.append(('get_sum_dir', salt['file.get_sum'](d ~ '/tree'))) %}
{%- set _ = r.append(('get_mode', salt['file.get_mode'](d ~ '/hello.txt'))) %}
{%- set _ = r.append(('get_user', salt['file.get_user'](d ~ '/hello.txt'))) %}
{%- set _ = r.append(('get_group', salt['file.get_group'](d ~ '/hello.txt'))) %}
{%- set _ = r.append(('symlink', salt['file.symlink'](d ~ '/hello.txt', d ~ '/link'))) %}
{%- set _ = r.append(('symlink_again', salt['file.symlink'](d ~ '/./hello.txt', d ~ '/link'))) %}
{%- set _ = r.append(('symlink_force', salt['file.symlink']('hello.txt', d ~ '/link', force=True))) %}
{%- set _ = r.append(('is_link', salt['file.is_link'](d ~ '/link'))) %}
{%- set _ = r.append(('is_link_file', salt['file.is_link'](conf))) %}
{%- set _ = r.append(('readlink', salt['file.readlink'](d ~ '/link'))) %}
{%- set _ = r.append(('readlink_canon', salt['file.readlink'](d ~ '/link', canonicalize=True))) %}
{%- set _ = r.append(('symlink_atomic', salt['file.symlink'](d ~ '/tree', d ~ '/link', atomic=True))) %}
{%- set _ = r.append(('readlink_atomic', salt['file.readlink'](d ~ '/link'))) %}
{%- set _ = r.append(('rename', salt['file.rename'](d ~ '/hello.txt', d ~ '/renamed.txt'))) %}
{%- set _ = r.append(('renamed_exists', salt['file.file_exists'](d ~ '/renamed.txt'))) %}
{%- set _ = r.append(('old_gone', salt['file.file_exists'](d ~ '/hello.txt'))) %}
{%- set _ = r.append(('copy', salt['file.copy'](d ~ '/renamed.txt', d ~ '/copied.txt'))) %}
{%- set _ = r.append(('copied', salt['file.read'](d ~ '/copied.txt'))) %}
{%- set _ = r.append(('copy_tree', salt['file.copy'](d ~ '/tree', d ~ '/tree2', recurse=True))) %}
{%- set _ = r.append(('copied_tree', salt['file.read'](d ~ '/tree2/a.txt'))) %}
{%- for key, value in r %}
{{ key }}:
  test.show_notification:
    - text: {{ value | json | yaml_dquote }}
{%- endfor %}
