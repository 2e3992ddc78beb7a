motd:
  file.managed:
    - name: __SCRATCH__/motd
    - source: salt://files/motd.j2
    - template: jinja
    - context:
        host: web-01.example.org
        port: 8443
        release: '2024-03-15 09:30:00'
        disk_bytes: 53687091200
        allow: ['web-*', 'api-*']
        description: "A general purpose web node serving the public site, its static assets and the health-check endpoint for the load balancer."
        settings:
          max_connections: 512
          keep_alive_timeout: 65
          log_level: info
{% for name in ['pkgRepoName', 'HTTPProxyHost'] %}
snake-{{ name | to_snake_case }}:
  test.nop:
    - name: {{ name | to_snake_case }}-{{ name | md5 | truncate(11, True, '') }}-{{ name | is_hex }}-{{ name | sha1 | is_hex }}
{% endfor %}
show:
  cmd.run:
    - name: cat __SCRATCH__/motd
    - require:
      - file: motd
