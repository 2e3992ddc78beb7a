{%- set d = '__SCRATCH__' %}
{%- set f = d ~ '/f.txt' %}
{%- set r = [] %}
{%- set _ = r.append(('mkdir', salt['file.mkdir'](d ~ '/d/sub/deeper'))) %}
{%- set _ = r.append(('basename', salt['file.basename']('/a/b/c.txt'))) %}
{%- set _ = r.append(('basename_slash', salt['file.basename']('/a/b/'))) %}
{%- set _ = r.append(('dirname', salt['file.dirname']('/a/b/c.txt'))) %}
{%- set _ = r.append(('dirname_root', salt['file.dirname']('/a'))) %}
{%- set _ = r.append(('dirname_rel', salt['file.dirname']('a'))) %}
{%- set _ = r.append(('dirname_double', salt['file.dirname']('//a//b'))) %}
{%- set _ = r.append(('join', salt['file.join']('/etc', 'salt', 'minion.d/'))) %}
{%- set _ = r.append(('join_abs', salt['file.join']('/etc', '/opt', 'x'))) %}
{%- set _ = r.append(('normpath', salt['file.normpath']('/a/./b//c/../d/'))) %}
{%- set _ = r.append(('normpath_double', salt['file.normpath']('//a/../b'))) %}
{%- set _ = r.append(('normpath_rel', salt['file.normpath']('../x/./../y'))) %}
{%- set _ = r.append(('readdir', salt['file.readdir'](d ~ '/e'))) %}
{%- set _ = r.append(('rmdir_nonempty', salt['file.rmdir'](d ~ '/e'))) %}
{%- set _ = r.append(('rmdir_recurse', salt['file.rmdir'](d ~ '/d', recurse=True, verbose=True))) %}
{%- set _ = r.append(('rmdir_gone', salt['file.directory_exists'](d ~ '/d'))) %}
{%- set _ = r.append(('access_f', salt['file.access'](f, 'f'))) %}
{%- set _ = r.append(('access_r', salt['file.access'](f, 'r'))) %}
{%- set _ = r.append(('access_x', salt['file.access'](f, 'x'))) %}
{%- set _ = r.append(('access_int', salt['file.access'](f, 2))) %}
{%- set _ = r.append(('access_missing', salt['file.access'](d ~ '/nope', 'f'))) %}
{%- set _ = r.append(('lstat_keys', salt['file.lstat'](f) | list)) %}
{%- set _ = r.append(('lstat_missing', salt['file.lstat'](d ~ '/nope'))) %}
{%- set _ = r.append(('get_uid', salt['file.get_uid'](f))) %}
{%- set _ = r.append(('get_gid', salt['file.get_gid'](f))) %}
{%- set _ = r.append(('uid_to_user', salt['file.uid_to_user'](0))) %}
{%- set _ = r.append(('uid_to_user_unknown', salt['file.uid_to_user'](54321))) %}
{%- set _ = r.append(('user_to_uid', salt['file.user_to_uid']('root'))) %}
{%- set _ = r.append(('user_to_uid_int', salt['file.user_to_uid'](7))) %}
{%- set _ = r.append(('user_to_uid_unknown', salt['file.user_to_uid']('no-such-user-zz'))) %}
{%- set _ = r.append(('user_to_uid_none', salt['file.user_to_uid'](None))) %}
{%- set _ = r.append(('gid_to_group', salt['file.gid_to_group'](0))) %}
{%- set _ = r.append(('gid_to_group_str', salt['file.gid_to_group']('0'))) %}
{%- set _ = r.append(('gid_to_group_name', salt['file.gid_to_group']('root'))) %}
{%- set _ = r.append(('gid_to_group_unknown_name', salt['file.gid_to_group']('no-such-group-zz'))) %}
{%- set _ = r.append(('gid_to_group_unknown', salt['file.gid_to_group'](54321))) %}
{%- set _ = r.append(('group_to_gid', salt['file.group_to_gid']('root'))) %}
{%- set _ = r.append(('group_to_gid_unknown', salt['file.group_to_gid']('no-such-group-zz'))) %}
{%- set _ = r.append(('group_to_gid_none', salt['file.group_to_gid'](None))) %}
{%- set _ = r.append(('set_mode', salt['file.set_mode'](f, '0600'))) %}
{%- set _ = r.append(('set_mode_int', salt['file.set_mode'](f, 750))) %}
{%- set _ = r.append(('set_mode_zero', salt['file.set_mode'](f, '000'))) %}
{%- set _ = r.append(('set_mode_invalid', salt['file.set_mode'](f, '9z'))) %}
{%- set _ = r.append(('set_mode_back', salt['file.set_mode'](f, '644'))) %}
{%- set _ = r.append(('chown', salt['file.chown'](f, 'root', 'root'))) %}
{%- set _ = r.append(('chown_ids', salt['file.chown'](f, 0, 0))) %}
{%- set _ = r.append(('chown_unknown', salt['file.chown'](f, 'no-such-user-zz', 'no-such-group-zz'))) %}
{%- set _ = r.append(('chown_missing', salt['file.chown'](d ~ '/nope', 'root', None))) %}
{%- for key, value in r %}
{{ key }}:
  test.show_notification:
    - text: {{ value | json | yaml_dquote }}
{%- endfor %}
