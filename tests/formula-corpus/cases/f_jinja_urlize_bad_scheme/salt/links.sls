{% set text = 'see ftp://files.example.com/pub' %}
links:
  test.nop:
    - name: {{ text | urlize(extra_schemes=['ftp://', 'not a scheme']) }}
