present_c:
  locale.present:
    - name: C.UTF-8
present_en:
  locale.present:
    - name: en_US.UTF-8
system_en:
  locale.system:
    - name: en_US.UTF-8
