{% set d = '__SCRATCH__/repos.d' %}
{% set missing = salt['pkg.del_repo']('nosuch', basedir=d) %}
{% set shared = salt['pkg.del_repo']('alpha', basedir=d) %}
{% set before = salt['pkg.get_repo']('beta', basedir=d) %}
{% set made = salt['pkg.mod_repo']('solo', basedir=d, name='Solo', baseurl='https://example.com/solo/') %}
{% set last = salt['pkg.del_repo']('solo', basedir=d) %}
{% set gone = salt['pkg.get_repo']('solo', basedir=d) %}
report:
  test.configurable_test_state:
    - changes: False
    - comment: "{{ missing }} | {{ shared }} | {{ before['gpgcheck'] }} | {{ last }} | {{ gone|length }}"
show:
  cmd.run:
    - name: ls {{ d }}; cat {{ d }}/multi.repo
