{% set m = salt['slsutil.renderer']('salt://maps/map.jinja', who='ops') %}
{% set s = salt['slsutil.renderer'](string='k: {{ 1 + 2 }}\nv: "{{ tplpath }}|{{ sls }}|{{ slspath }}|{{ tpldir }}"') %}
{% set y = salt['slsutil.renderer']('salt://maps/data.yaml') %}
{% set c = salt['slsutil.renderer']('salt://maps/conf.json', port=8080) %}
{% set j = salt['slsutil.renderer'](string='{"a": {{ n }}}', default_renderer='jinja|json', n=5) %}
{% set t = salt['slsutil.renderer'](string='hello {{ n }}', default_renderer='jinja', n=5, context={'n': 6}) %}
{% set e = salt['slsutil.renderer']('salt://maps/empty.sls') %}
{% set missing = salt['slsutil.renderer']('salt://maps/missing.sls') %}
{% set l = salt['slsutil.renderer']('__SCRATCH__/local.jinja') %}
{% set sl = salt['slsutil.renderer']('salt://maps/sl.jinja', sls='maps.sl') %}
{% set si = salt['slsutil.renderer']('salt://maps/init.sls', sls='maps') %}
{% set sh = salt['slsutil.renderer'](string='#!yaml {{ a }}: b') %}
show:
  test.show_notification:
    - text: {{ [m, s, y, c, j, t, e, missing, l, sl, si, sh] | json | yaml_dquote }}
