{% set l = ['10.0.0.1', 'fe80::1', 'x', '192.168.1.1/24', '2001:DB8::1', '8.8.8.8', '::ffff:1.2.3.4', 'fe80::1%eth0', '10.0.0.1/255.255.0.0', 7] %}
out:
  file.managed:
    - name: __SCRATCH__/net.txt
    - contents: |
        isip={{ '10.0.0.1/24'|is_ipv4 }} {{ '10.0.0.1'|is_ipv4('private') }} {{ '8.8.8.8'|is_ip('private') }} {{ '8.8.8.8'|is_ip('public') }} {{ 'fe80::1'|is_ipv6('link-local') }} {{ 'x'|is_ip }} {{ '::1'|is_ipv6(options='loopback') }} {{ '::1/64'|is_ipv6('loopback') }} {{ '127.0.0.1'|is_ipv4('lo,private') }} {{ '224.0.0.1'|is_ipv4('multicast') }} {{ 'fec0::1'|is_ipv6('sl') }} {{ '0.0.0.0'|is_ip('unspecified') }} {{ '0.0.0.0/8'|is_ip('unspecified') }} {{ '240.0.0.1'|is_ip('reserved') }}
        ipaddr={{ l|ipaddr }}
        ipaddr1={{ '2001:DB8::1'|ipaddr }} {{ 'x'|ipaddr }} {{ '10.0.0.1'|ipaddr('public') }}
        ipv4={{ l|ipv4 }} {{ l|ipv4('private') }} {{ l|ipv4('global') }}
        ipv6={{ l|ipv6 }} {{ l|ipv6('link-local') }} {{ '10.0.0.1'|ipv6 }}
        host={{ '10.0.0.1'|ip_host }} {{ ['10.0.0.1/24', 'fe80::1']|ip_host }} {{ ['10.0.0.1/24', 'fe80::1']|ip_host(version=6) }} {{ 'x'|ip_host }} {{ [] | ip_host }}
        hosts={{ '10.0.0.1/30'|network_hosts }} {{ '10.0.0.5/31'|network_hosts }} {{ '10.0.0.5'|network_hosts }} {{ ['::4/126', '10.1.1.1/30']|network_hosts }}
        size={{ '10.0.0.1/24'|network_size }} {{ ['2001:db8::/64', '10.0.0.0/8', 'x']|network_size }} {{ 'fe80::1'|network_size }}
        nets={{ ['10.0.0.1', '10.1.0.1', 'fe80::1']|filter_by_networks(['10.0.0.0/16', '10.0.0.0/8']) }} {{ {'eth0': ['10.0.0.1', 'fe80::1'], 'lo': ['127.0.0.1']}|filter_by_networks(['fe80::/64', '127.0.0.0/8']) }} {{ ['10.0.0.1']|filter_by_networks([]) }} {{ ['a']|filter_by_networks(none) }}
        wrap={{ ['fe80::1', '10.0.0.1', 'host', '2001:DB8::1']|ipwrap }} {{ '::1'|ipwrap }} {{ 'host'|ipwrap }}
        mac={{ '08:00:27:13:69:77'|mac_str_to_bytes }} {{ '0800275c2722'|mac_str_to_bytes }} {{ '08-00-27-13-69-77'|mac_str_to_bytes }}
        genmac={{ ('52:54:00'|gen_mac)[:9] }} {{ ('52:54:00'|gen_mac)|length }} {{ ('x'|gen_mac)[:2] }} {{ (('52:54:00'|gen_mac)[9:]|regex_match('[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2}$')) is not none }}
show:
  cmd.run:
    - name: cat __SCRATCH__/net.txt
