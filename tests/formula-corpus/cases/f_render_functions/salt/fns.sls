{% set a = {'x': {'y': 1, 'l': [1]}, 'k': 'v'} %}
{% set b = {'x': {'z': 2, 'l': [2]}} %}
{% set logged = salt['log.info']('rendering fns') %}
{% set w = salt['log.warning']('a warning') %}
{% set m = salt['mine.get']('*', 'network.ip_addrs') %}
{% set merged = salt['slsutil.merge'](a, b) %}
{% set merged_list = salt['slsutil.merge'](a, b, merge_lists=True) %}
{% set over = salt['slsutil.merge'](a, b, strategy='overwrite') %}
{% set upd = salt['slsutil.update'](a, b) %}
{% set ser = salt['slsutil.serialize']('json', {'q': [1, 2]}) %}
{% set des = salt['slsutil.deserialize']('yaml', 'r: [3]') %}
{% set dm = salt['defaults.merge']({'a': {'b': 1}}, {'a': {'c': 2}}, in_place=False) %}
{% set dg = salt['defaults.get']('app:port') %}
out:
  file.managed:
    - name: __SCRATCH__/fns.txt
    - contents: |
        logged={{ logged }} w={{ w }} mine={{ m }}
        merged={{ merged | json }}
        merged_list={{ merged_list | json }}
        over={{ over | json }}
        upd={{ upd | json }}
        ser={{ ser }} des={{ des | json }}
        dm={{ dm | json }} dg={{ dg }}
show:
  cmd.run:
    - name: cat __SCRATCH__/fns.txt
