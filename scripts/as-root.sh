# Sourced by the setup scripts: `as_root SCRIPT WHO ALTERNATIVE` runs `bash SCRIPT` as root (directly,
# or through sudo); without either it prints "WHO: run 'bash SCRIPT' as root, or ALTERNATIVE" and fails.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    bash "$1"
  elif command -v sudo >/dev/null; then
    sudo bash "$1"
  else
    echo "$2: run 'bash $1' as root, or $3" >&2
    return 1
  fi
}
