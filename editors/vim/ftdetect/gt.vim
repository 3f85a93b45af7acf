" Vim file-type detection for gradtool programs (*.gt); see gradtool(5)
autocmd BufRead,BufNewFile *.gt setfiletype gt
