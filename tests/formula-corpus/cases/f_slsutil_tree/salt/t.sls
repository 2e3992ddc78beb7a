{% set f = salt['slsutil.file_exists'] %}
{% set d = salt['slsutil.dir_exists'] %}
{% set p = salt['slsutil.path_exists'] %}
{% set up = salt['slsutil.findup'] %}
{% set out = {
  'file': [f('formulas/defaults.yaml'), f('formulas'), f('nope'), f('t.sls'), f('formulas/defaults.yaml', saltenv='dev')],
  'dir': [d('formulas'), d('formulas/nginx/files'), d('formulas/defaults.yaml'), d(''), d('.'), d('formulas/')],
  'path': [p('formulas'), p('formulas/nginx/map.jinja'), p('x'), p('')],
  'up': [up('formulas/nginx/files', 'defaults.yaml'), up('formulas/nginx/files', ['map.jinja', 'defaults.yaml']), up('formulas/nginx/./files/', 'nginx'), up('', 't.sls'), up('formulas/nginx', 'files')],
} %}
show:
  test.show_notification:
    - text: {{ out | json | yaml_dquote }}
