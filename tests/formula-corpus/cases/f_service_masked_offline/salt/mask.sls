mask:
  service.masked:
    - name: halite-corpus-offline-probe
cleanup:
  file.absent:
    - name: /etc/systemd/system/halite-corpus-offline-probe.service
