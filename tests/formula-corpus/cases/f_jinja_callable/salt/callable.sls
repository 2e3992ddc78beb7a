{% macro m(x) %}[{{ x }}]{% endmacro %}
{% macro wrap() %}{{ caller is callable }}{% endmacro %}
{% set ns = namespace(a=1) %}
{% set loops = [] %}
{% for i in [1] %}{% do loops.append(loop is callable) %}{% endfor %}
out:
  test.nop:
    - name: "macro={{ m is callable }} caller={{ wrap() }}{% call wrap() %}x{% endcall %} fn={{ salt['test.ping'] is callable }} attr={{ salt.test.ping is callable }} mod={{ salt.test is callable }} salt={{ salt is callable }} joiner={{ joiner() is callable }} cycler={{ cycler(1, 2) is callable }} loop={{ loops }} ns={{ ns is callable }} range={{ range is callable }} rangev={{ range(3) is callable }} str={{ 'x' is callable }} int={{ 1 is callable }} float={{ 1.5 is callable }} list={{ [] is callable }} dict={{ {} is callable }} none={{ none is callable }} undef={{ nothere is callable }} bool={{ true is callable }} lipsum={{ lipsum is callable }} raise={{ raise is callable }} odict={{ odict is callable }} grains={{ grains is callable }} bytes={{ 'a'|to_bytes is callable }} tuple={{ {'a': 1}.items()|first is callable }} not={{ m is not callable }}"
