out:
  test.nop:
    - name: "{{ 'nonexistent.invalid'|dns_check(80) }}"
