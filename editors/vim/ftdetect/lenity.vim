" Lenity policies are .policy files.
autocmd BufNewFile,BufRead *.policy setfiletype lenity
