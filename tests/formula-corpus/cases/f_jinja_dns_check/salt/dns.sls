{% set checks = [
  'localhost'|dns_check(80),
  'localhost'|dns_check(1),
  '127.0.0.1'|dns_check(80, False),
  '::1'|dns_check(80),
  '::1'|dns_check(80, ipv6=True),
  'localhost'|dns_check(80, ipv6=True),
  'localhost'|dns_check(port=443, ipv6=False),
  'LocalHost'|dns_check(80, safe=True),
  '127.1'|dns_check(80),
] %}
dns_check:
  test.nop:
    - name: "{{ checks|join(' ') }}"
