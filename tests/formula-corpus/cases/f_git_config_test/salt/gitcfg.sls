{% set repo = '__SCRATCH__/repo' %}
{% set _ = salt['cmd.run'](['git', 'init', '-q', repo]) %}
{% for v in ['a', 'b', 'c'] %}
{% set _ = salt['cmd.run'](['git', '-C', repo, 'config', '--add', 'x.multi', v]) %}
{% endfor %}
{% set _ = salt['cmd.run'](['git', '-C', repo, 'config', 'x.one', '1']) %}
{% set before = salt['git.config_get_regexp']('^x\\.', cwd=repo) %}
{% set last = salt['git.config_get']('x.multi', cwd=repo) %}
{% set missing = salt['git.config_get']('x.none', cwd=repo) %}
facts:
  test.show_notification:
    - text: {{ ('before=' ~ (before|json) ~ ' last=' ~ last ~ ' missing=' ~ missing)|json }}
set_new:
  git.config_set:
    - name: user.name
    - value: Halite
    - repo: {{ repo }}
set_same:
  git.config_set:
    - name: user.name
    - value: Halite
    - repo: {{ repo }}
set_number:
  git.config_set:
    - name: core.x-count
    - value: 3
    - repo: {{ repo }}
set_multi:
  git.config_set:
    - name: y.multi
    - multivar: [a, 2]
    - repo: {{ repo }}
set_multi_str:
  git.config_set:
    - name: y.multi
    - multivar: p,q
    - repo: {{ repo }}
set_bad_key:
  git.config_set:
    - name: nodot
    - value: 1
    - repo: {{ repo }}
no_repo:
  git.config_set:
    - name: a.b
    - value: 1
both:
  git.config_set:
    - name: a.b
    - value: 1
    - multivar: [x]
    - repo: {{ repo }}
set_bogus:
  git.config_set:
    - name: a.b
    - value: 1
    - repo: {{ repo }}
    - bogus: yes
unset_none:
  git.config_unset:
    - name: x.none
    - repo: {{ repo }}
unset_multi_refused:
  git.config_unset:
    - name: x.multi
    - repo: {{ repo }}
unset_regex_refused:
  git.config_unset:
    - name: x.multi
    - value_regex: '[ab]'
    - repo: {{ repo }}
unset_regex:
  git.config_unset:
    - name: x.multi
    - value_regex: b
    - repo: {{ repo }}
show_unused:
  cmd.run:
    - name: git config --local --get-regexp '^(x|y|user|core\.x)'
    - cwd: {{ repo }}
